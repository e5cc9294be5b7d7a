"""Roles of DESIGN §3. Staff roles are granted on a unit and cover its subtree."""

RESIDENT = "resident"
VOLUNTEER = "volunteer"
TEAM_LEADER = "team_leader"
UNIT_ADMIN = "unit_admin"
EDITOR = "editor"
ADMIN = "admin"
MERCHANT_ADMIN = "merchant_admin"  # runs a caring merchant (爱心商家) of the points scheme
OFFICIAL = "official"  # reads the statistics (the console shows them the dashboard)

ALL_ROLES: tuple[str, ...] = (
    RESIDENT,
    VOLUNTEER,
    TEAM_LEADER,
    UNIT_ADMIN,
    EDITOR,
    ADMIN,
    MERCHANT_ADMIN,
    OFFICIAL,
)
STAFF_ROLES: tuple[str, ...] = (TEAM_LEADER, UNIT_ADMIN, EDITOR, ADMIN)
# Roles that administer the units (and teams, activities, people) of their subtree.
MANAGING_ROLES: tuple[str, ...] = (UNIT_ADMIN, ADMIN)
# Roles that organise activities (within their subtree).
ORGANIZER_ROLES: tuple[str, ...] = (TEAM_LEADER, UNIT_ADMIN, ADMIN)
