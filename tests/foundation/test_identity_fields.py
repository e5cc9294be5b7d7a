"""The ID-number field that volunteer registration and family members share."""

import pytest
from marshmallow import Schema, ValidationError

from api.accounts.fields import IdNumber
from api.accounts.identity import id_check_character


class _Form(Schema):
    id_number = IdNumber(load_default=None, allow_none=True)


FIRST17 = "11010520100505123"
NUMBER = FIRST17 + id_check_character(FIRST17)


def test_a_valid_number_loads_normalized():
    typed = f" {NUMBER.lower()} "

    assert _Form().load({"id_number": typed}) == {"id_number": NUMBER}


@pytest.mark.parametrize("given", ["", None])
def test_an_empty_number_loads_as_not_given(given):
    assert _Form().load({"id_number": given}) == {"id_number": None}


def test_a_wrong_check_character_is_refused_on_the_field():
    wrong = FIRST17 + ("0" if NUMBER[-1] != "0" else "1")

    with pytest.raises(ValidationError) as caught:
        _Form().load({"id_number": wrong})

    assert caught.value.messages == {"id_number": ["身份证号码校验位不正确"]}
