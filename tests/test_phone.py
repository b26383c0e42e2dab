import pytest

from mp15_grievance.tools.phone import PhoneError, format_for_display, is_mobile, normalize_phone, to_wa_id


@pytest.mark.parametrize(
    "spelling",
    [
        "9876543210",
        "09876543210",
        "+91 98765 43210",
        "+91-98765-43210",
        "0091 9876543210",
        "919876543210",  # WhatsApp wa_id: country code, no +
        "+919876543210",
        "(98765) 43210",
        "९८७६५४३२१०",  # Devanagari digits
        " 98765 43210 ",
    ],
)
def test_indian_mobile_in_every_common_spelling_becomes_e164(spelling):
    assert normalize_phone(spelling) == "+919876543210"


def test_sagar_landline_with_trunk_zero():
    assert normalize_phone("07582 220000") == "+917582220000"


def test_foreign_wa_id_is_not_mistaken_for_an_indian_number():
    assert normalize_phone("12025550143") == "+12025550143"
    assert normalize_phone("447911123456") == "+447911123456"


@pytest.mark.parametrize(
    "garbage",
    ["", "   ", "12345", "abcdefghij", "98765O4321", "+91 12345", "'; DROP TABLE res_partner;--", None, 9876543210],
)
def test_invalid_numbers_raise_a_clear_phone_error(garbage):
    with pytest.raises(PhoneError) as raised:
        normalize_phone(garbage)
    assert str(raised.value)


def test_mobile_versus_toll_free():
    assert is_mobile("+919876543210")
    assert not is_mobile("+9118002334000")  # toll-free


def test_wa_id_and_display_forms():
    assert to_wa_id("+919876543210") == "919876543210"
    assert format_for_display("+919876543210") == "+91 98765 43210"
