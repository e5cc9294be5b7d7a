"""Every model module, imported once so the metadata (and Alembic) sees all tables."""

from api.accounts import models as accounts  # noqa: F401
from api.activities import models as activities  # noqa: F401
from api.audit import models as audit  # noqa: F401
from api.caching import models as caching  # noqa: F401
from api.help import models as help_requests  # noqa: F401
from api.hours import models as hours  # noqa: F401
from api.jobs import models as jobs  # noqa: F401
from api.notifications import models as notifications  # noqa: F401
from api.points import models as points  # noqa: F401
from api.signups import models as signups  # noqa: F401
from api.stats import snapshots as stats  # noqa: F401
from api.units import models as units  # noqa: F401
from api.wechat import models as wechat  # noqa: F401
