"""Families: a guardian's children as family members, with the guardian's explicit consent.

The rules (志愿服务条例 Art. 15, county practice, PIPL Art. 28 and 31): a child under 14 takes
part only with a guardian's consent, under 10 only with a guardian present; an activity may set
a minimum age and require a guardian. A child is a :class:`~api.accounts.models.User` without
a sign-in of its own, so sign-ups, check-in, hours and certificates work as for anyone; the
guardian acts for it. Its personal data is shown only to the guardian (and, masked, to the
organizers of its activities); withdrawing consent cancels its future sign-ups and hides it.
"""
