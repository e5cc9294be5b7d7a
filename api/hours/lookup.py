"""The public hours lookup (查询): name + last four digits of the ID number or phone.

Design: for each volunteer we keep two keyed hashes, HMAC(DATA_KEY-derived key,
"hours-lookup:<id|phone>:<name>:<last 4>"), in ``hours_lookup_keys`` (indexed). A lookup
hashes what the visitor typed and finds the volunteer with one indexed equality query: no
profile is decrypted, and a copy of the table says nothing without the key. The keys
follow the profile: :func:`_refresh_changed_profiles` recomputes them whenever a
volunteer profile is written (from that profile's own data only); ``flask hours
rebuild-lookup-keys`` fills them for profiles written before this table existed.

The answer is a masked name, the approved total and the star level, nothing else. A name
with wrong digits, an unknown name and an ambiguous match (two volunteers with the same
name and digits) all get the same 404, after the same queries; the endpoint is
rate-limited per client against guessing the four digits.
"""

import re
import unicodedata
from dataclasses import dataclass

from flask import has_app_context
from sqlalchemy import event, inspect, select
from sqlalchemy.orm import Session

from api.accounts.models import User, VolunteerProfile
from api.errors import NotFound
from api.extensions import db
from api.hours.models import HoursLookupKey
from api.hours.totals import Star, approved_minutes, star_for
from api.personal_data import decrypt, lookup_hash, mask_name
from api.transactions import atomic

ID_NUMBER, PHONE = "id", "phone"
_SPACES = re.compile(r"\s+")


class NoMatch(NotFound):
    error, message = "lookup_no_match", "未找到匹配的志愿者记录，请核对姓名和号码后四位"


def normalize_name(name: str) -> str:
    """Full-width forms folded, spaces removed: ``张 三`` and ``张三`` are one name."""
    return _SPACES.sub("", unicodedata.normalize("NFKC", name))


def target_key(name: object) -> str:
    """Rate-limit key of the person a lookup asks about: a keyed hash of the name, so the
    limiter's storage holds no names."""
    normalized = normalize_name(name) if isinstance(name, str) else ""
    return "lookup-target:" + lookup_hash(f"hours-lookup-target:{normalized}")


def lookup_digest(kind: str, name: str, last4: str) -> str:
    """The keyed hash of a name and the last four characters of an ID number or phone."""
    return lookup_hash(f"hours-lookup:{kind}:{normalize_name(name)}:{last4.strip().upper()}")


def refresh_keys(profile: VolunteerProfile, session: Session) -> None:
    """Recompute one volunteer's lookup keys from their own (decrypted) profile."""
    phone = decrypt(profile.phone_encrypted)
    id_number = decrypt(profile.id_number_encrypted) if profile.id_number_encrypted else None
    key = None
    if profile.user_id is not None:
        with session.no_autoflush:
            key = session.get(HoursLookupKey, profile.user_id)
    if key is None:
        key = HoursLookupKey(user=profile.user)
        session.add(key)
    key.name_phone_digest = lookup_digest(PHONE, profile.real_name, phone[-4:])
    key.name_id_digest = (
        lookup_digest(ID_NUMBER, profile.real_name, id_number[-4:]) if id_number else None
    )


_KEY_FIELDS = ("real_name", "phone_encrypted", "id_number_encrypted")


@event.listens_for(Session, "before_flush")
def _refresh_changed_profiles(session: Session, flush_context, instances) -> None:
    """Keep the lookup keys in the transaction that registers or edits a volunteer."""
    if not has_app_context():
        return
    for profile in list(session.new) + list(session.dirty):
        if not isinstance(profile, VolunteerProfile):
            continue
        state = inspect(profile)
        if profile in session.new or any(
            state.attrs[name].history.has_changes() for name in _KEY_FIELDS
        ):
            refresh_keys(profile, session)


def rebuild_keys(batch_size: int = 500) -> int:
    """Recompute every volunteer's keys (after a DATA_KEY rotation, or for profiles older
    than the lookup); returns how many. An operator command: it decrypts every profile."""
    count = 0
    last_id = 0
    while True:
        profiles = list(
            db.session.scalars(
                select(VolunteerProfile)
                .where(VolunteerProfile.user_id > last_id)
                .order_by(VolunteerProfile.user_id)
                .limit(batch_size)
            )
        )
        if not profiles:
            return count
        with atomic():  # one unit per batch: a long rotation keeps what it finished
            for profile in profiles:
                refresh_keys(profile, db.session)
        count += len(profiles)
        last_id = profiles[-1].user_id


@dataclass
class LookupAnswer:
    name: str
    approved_minutes: int
    star: Star


def lookup(
    name: str, *, id_last4: str | None = None, phone_last4: str | None = None
) -> LookupAnswer:
    """A volunteer's masked name, approved total and star, found by name and the last four
    characters of their ID number (or phone).

    :raises NoMatch: no volunteer, wrong digits or more than one match, alike.
    """
    if id_last4:
        column, digest = HoursLookupKey.name_id_digest, lookup_digest(ID_NUMBER, name, id_last4)
    else:
        column, digest = (
            HoursLookupKey.name_phone_digest,
            lookup_digest(PHONE, name, phone_last4 or ""),
        )
    matches = db.session.execute(
        select(VolunteerProfile.user_id, VolunteerProfile.real_name)
        .join(HoursLookupKey, HoursLookupKey.user_id == VolunteerProfile.user_id)
        .join(User, User.id == VolunteerProfile.user_id)
        .where(column == digest, User.is_active.is_(True))
        .limit(2)
    ).all()
    # The same work whether or not someone matched: the answer time tells nothing.
    minutes = approved_minutes(matches[0].user_id if len(matches) == 1 else 0)
    if len(matches) != 1:
        raise NoMatch()
    return LookupAnswer(mask_name(matches[0].real_name), minutes, star_for(minutes))
