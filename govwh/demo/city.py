"""The demo city as its configuration folder describes it: regions, departments and halls.

The generator reads the demo city's folder (seeds/cities/demo, written once by ``seedgen``)
through the same reader as the pipeline, so the warehouse's dimensions and the generated
facts agree.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import polars as pl

from govwh.city.files import DEPARTMENTS, HALLS, REGIONS
from govwh.city.read import read_city
from govwh.settings import DEMO_CITY_DIR


@dataclass(frozen=True)
class City:
    regions: pl.DataFrame  # region_code, region_name, admin_level, parent_region_code
    departments: pl.DataFrame  # department_code, department_name, department_name_en
    halls: pl.DataFrame  # hall_code, hall_name, region_code, windows_normal, ...

    @classmethod
    def from_folder(cls, city_dir: Path = DEMO_CITY_DIR) -> City:
        tables = read_city(city_dir).tables
        return cls(
            regions=tables[REGIONS.name].drop("line"),
            departments=tables[DEPARTMENTS.name].drop("line"),
            halls=tables[HALLS.name].drop("line"),
        )

    @property
    def city_code(self) -> str:
        return self.regions.filter(pl.col("admin_level") == "city")["region_code"].item()

    def codes(self, level: str) -> np.ndarray:
        return self.regions.filter(pl.col("admin_level") == level)["region_code"].to_numpy()

    def county_codes(self) -> list[str]:
        return self.codes("county").tolist()

    def region_weight(self, region_codes: np.ndarray) -> np.ndarray:
        """Relative population of a county or township, read off its layout: counties by
        their number of townships, sub-districts (街道) above towns (镇) above townships (乡)."""
        towns = self.regions.filter(pl.col("admin_level") == "township")
        per_county = towns.group_by("parent_region_code").len()
        weights = dict(
            zip(
                per_county["parent_region_code"],
                per_county["len"] / per_county["len"].mean(),
                strict=True,
            )
        )
        kind = towns["region_name"].str.slice(-2).to_numpy()
        town_weight = np.where(
            kind == "街道",
            1.4,
            np.where(towns["region_name"].str.ends_with("乡").to_numpy(), 0.5, 0.9),
        )
        weights |= dict(zip(towns["region_code"], town_weight, strict=True))
        return np.array([weights.get(code, 1.0) for code in region_codes], dtype=float)

    def hall_for_regions(self, region_codes: np.ndarray) -> np.ndarray:
        """The hall that handles a region's items: its own hall, else its county's hall,
        else the city centre (one lookup per distinct region, not per case)."""
        own = dict(zip(self.halls["region_code"], self.halls["hall_code"], strict=True))
        parent = dict(
            zip(self.regions["region_code"], self.regions["parent_region_code"], strict=True)
        )
        city_hall = own[self.city_code]

        def lookup(code: str) -> str:
            while code is not None:
                if code in own:
                    return own[code]
                code = parent.get(code)
            return city_hall

        distinct, inverse = np.unique(region_codes.astype(str), return_inverse=True)
        return np.array([lookup(c) for c in distinct], dtype=object)[inverse]
