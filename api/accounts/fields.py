"""marshmallow fields for identity data read from a request."""

from marshmallow import ValidationError, fields

from api.accounts.identity import normalize_id_number


class IdNumber(fields.String):
    """A resident ID number (GB 11643-1999), loaded checked and normalized (upper-case X);
    an empty string loads as None (not given)."""

    def _deserialize(self, value, attr, data, **kwargs) -> str | None:
        text = super()._deserialize(value, attr, data, **kwargs)
        if not text:
            return None
        try:
            return normalize_id_number(text)
        except ValueError as exc:
            raise ValidationError(str(exc)) from exc
