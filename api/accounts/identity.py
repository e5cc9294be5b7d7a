"""Validation of mainland mobile numbers and resident ID numbers (GB 11643-1999)."""

import re
from datetime import date

from api.timeutil import local_today

_PHONE = re.compile(r"^1[3-9]\d{9}$")
_ID_NUMBER = re.compile(r"^\d{17}[\dX]$")
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARACTERS = "10X98765432"


def normalize_phone(value: str) -> str:
    """Strip spaces, dashes and a +86 prefix. :raises ValueError: if not a mobile number."""
    digits = re.sub(r"[\s-]", "", value)
    digits = digits.removeprefix("+86")
    if not _PHONE.match(digits):
        raise ValueError("手机号码格式不正确")
    return digits


def id_check_character(first17: str) -> str:
    """The check character of an 18-digit ID number from its first 17 digits."""
    total = sum(int(digit) * weight for digit, weight in zip(first17, _WEIGHTS, strict=True))
    return _CHECK_CHARACTERS[total % 11]


def normalize_id_number(value: str) -> str:
    """Upper-case and check an 18-character ID number, check digit and birth date included.

    :raises ValueError: with a Chinese message when it is not a valid ID number.
    """
    number = value.strip().upper()
    if not _ID_NUMBER.match(number):
        raise ValueError("身份证号码应为 18 位")
    if id_check_character(number[:17]) != number[17]:
        raise ValueError("身份证号码校验位不正确")
    birth_date_from_id(number)
    return number


def birth_date_from_id(number: str) -> date:
    """The birth date written in an ID number. :raises ValueError: if it is not a date."""
    try:
        born = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError as exc:
        raise ValueError("身份证号码中的出生日期无效") from exc
    if born.year < 1900 or born > local_today():
        raise ValueError("身份证号码中的出生日期无效")
    return born
