"""政务公开: the public release of the headline metrics (open data for the government portal)."""

from govwh.reports.publication.release import (
    PublicRelease,
    ReleaseNotAvailableError,
    parse_month,
    write_public_release,
)

__all__ = ["PublicRelease", "ReleaseNotAvailableError", "parse_month", "write_public_release"]
