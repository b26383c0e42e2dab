"""What the logs may show of a citizen: the last 4 digits of a number, the last 4 characters of a wamid."""

import pytest

from mp15_grievance.tools.messages import normalize_recipient
from mp15_grievance.tools.phone import mask_phone
from mp15_grievance.tools.webhook import extract_events, mask_wamid

WAMID = "wamid.HBgMOTE5ODc2NTQzMjEwFQIAEhgUM0E3NkI4RTBCNzJGRThDOUE2NzkA"


@pytest.mark.parametrize(
    ("phone", "masked"),
    [
        ("+919876543210", "+********3210"),
        ("919876543210", "********3210"),
        ("+91 98765 43210", "+** ***** *3210"),
        ("1234", "****"),
        ("", "-"),
        (None, "-"),
    ],
)
def test_mask_phone_keeps_only_the_last_4_digits(phone, masked):
    assert mask_phone(phone) == masked


def test_mask_wamid_keeps_only_the_last_4_characters():
    assert mask_wamid(WAMID) == "...NzkA"
    assert "OTE5ODc2NTQzMjEw" not in mask_wamid(WAMID)  # the citizen's number, base64 inside the wamid
    assert mask_wamid("abc") == "..."
    assert mask_wamid(None) == "-"


def test_ignored_reasons_carry_no_wamid():
    payload = {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "changes": [
                    {
                        "field": "messages",
                        "value": {
                            "metadata": {"phone_number_id": "106540352242922"},
                            "messages": [
                                {"id": WAMID, "timestamp": "1764646964", "type": "text", "text": {"body": "x"}}
                            ],
                        },
                    }
                ]
            }
        ],
    }
    events = extract_events(payload)
    assert len(events.ignored) == 1
    assert WAMID not in events.ignored[0]
    assert "...NzkA" in events.ignored[0]


def test_a_refused_recipient_is_masked_in_the_error_that_reaches_the_log():
    with pytest.raises(ValueError, match="recipient") as raised:
        normalize_recipient("+91 98765 43210")
    assert "98765" not in str(raised.value)
    assert "3210" in str(raised.value)
