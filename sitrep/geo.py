"""Country facts used by validation and exports: codes, names and borders from Natural Earth."""

from __future__ import annotations

from .maps import CountryInfo, country_info, distance_outside_country_km

__all__ = ["CountryInfo", "country_info", "distance_outside_country_km"]
