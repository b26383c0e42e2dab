"""Phone numbers as citizens, staff and WhatsApp write them, normalised to E.164.

Indian numbers arrive in every spelling: ``9876543210``, ``09876543210``,
``+91 98765 43210``, ``0091 9876543210``, Devanagari digits, and WhatsApp's
``wa_id`` ``919876543210`` (country code, no ``+``). All become ``+919876543210``.
"""

import re
import unicodedata

import phonenumbers

DEFAULT_REGION = "IN"
_SEPARATORS = re.compile(r"[\s\-.()/\u00a0\u200b]")


class PhoneError(ValueError):
    """A phone number that cannot be understood as a real number."""


def _ascii_digits(text):
    """Map any Unicode decimal digit (Devanagari ०-९ included) to ASCII."""
    return "".join(str(unicodedata.digit(char)) if char.isdigit() else char for char in text)


def normalize_phone(raw, region=DEFAULT_REGION):
    """Return ``raw`` as E.164 (``+919876543210``) or raise :class:`PhoneError`.

    Bare digit strings are national numbers of ``region`` when they have 10
    digits (11 with a trunk ``0``); longer ones are international numbers
    without their ``+``, as WhatsApp sends them.
    """
    if not isinstance(raw, str) or not raw.strip():
        raise PhoneError("A phone number is required.")
    text = _SEPARATORS.sub("", _ascii_digits(raw.strip()))
    if text.startswith("00"):
        text = "+" + text[2:]
    digits = text.removeprefix("+")
    if not digits.isdigit():
        raise PhoneError(f"{raw!r} is not a phone number: only digits, spaces, dashes and a leading + are allowed.")
    if not text.startswith("+"):
        national = len(digits) == 10 or (len(digits) == 11 and digits.startswith("0"))
        text = digits if national else "+" + digits
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException as error:
        raise PhoneError(f"{raw!r} is not a phone number ({error}).") from error
    if not phonenumbers.is_valid_number(number):
        raise PhoneError(f"{raw!r} is not a valid phone number.")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def is_mobile(e164):
    """True when an E.164 number is a mobile number (WhatsApp needs one)."""
    number = phonenumbers.parse(e164)
    return phonenumbers.number_type(number) in (
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    )


def to_wa_id(e164):
    """WhatsApp's form of a number: the E.164 digits without ``+``."""
    return e164.removeprefix("+")


def format_for_display(e164):
    """``+919876543210`` → ``+91 98765 43210``, as people read numbers."""
    number = phonenumbers.parse(e164)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def mask_phone(phone):
    """``phone`` for logs: every digit but the last 4 hidden (``+919876543210`` → ``+********3210``)."""
    if not phone:
        return "-"
    text = str(phone)
    digits = sum(char.isdigit() for char in text)
    if digits <= 4:
        return "*" * len(text)  # nothing of a short number shown
    hidden = digits - 4
    masked = []
    for char in text:
        if char.isdigit() and hidden:
            masked.append("*")
            hidden -= 1
        else:
            masked.append(char)
    return "".join(masked)
