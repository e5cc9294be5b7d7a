"""The "11+N" service categories of volunteer teams (source article; corpus README)."""

STANDING_CATEGORIES: tuple[str, ...] = (
    "理论政策宣讲",
    "中华文化传播",
    "文化文艺服务",
    "助学支教",
    "医疗健身",
    "科学普及",
    "法律服务",
    "惠农支农",
    "卫生环保",
    "扶贫帮困",
    "应急救援",
)
SPECIAL_CATEGORY = "特色"
TEAM_CATEGORIES: tuple[str, ...] = (*STANDING_CATEGORIES, SPECIAL_CATEGORY)

UNIT_LEVELS: tuple[str, ...] = ("center", "institute", "station")
# The level a unit's parent must have.
PARENT_LEVEL = {"center": None, "institute": "center", "station": "institute"}
