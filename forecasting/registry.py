"""Model versions: a joblib file and a JSON card per fitted model, and a registry row."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import joblib
import polars as pl

from forecasting.model import FittedModel


def model_card(model: FittedModel, kind: str, metrics: dict[str, object]) -> dict[str, object]:
    return {
        "model_version": model.version,
        "kind": kind,
        "estimator": "sklearn.HistGradientBoostingRegressor(loss=poisson) + split-conformal",
        "train_start": model.train_start.isoformat(),
        "train_end": model.train_end.isoformat(),
        "training_rows": model.n_rows,
        "series": len(model.fitted_series),
        "config": model.config.card(),
        "interval_dispersion": model.calibration.dispersion,
        "metrics": metrics,
    }


def save_model(model: FittedModel, card: dict[str, object], model_dir: Path) -> Path:
    model_dir.mkdir(parents=True, exist_ok=True)
    path = model_dir / f"{model.version}.joblib"
    joblib.dump(model, path)
    (model_dir / f"{model.version}.json").write_text(
        json.dumps(card, indent=2, ensure_ascii=False, default=str), encoding="utf-8"
    )
    return path


def registry_rows(
    cards: list[dict[str, object]], created_at: datetime, files: list[str]
) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "model_version": [str(c["model_version"]) for c in cards],
            "kind": [str(c["kind"]) for c in cards],
            "train_start": [c["train_start"] for c in cards],
            "train_end": [c["train_end"] for c in cards],
            "training_rows": [int(c["training_rows"]) for c in cards],  # type: ignore[call-overload]
            "card_json": [json.dumps(c, ensure_ascii=False, default=str) for c in cards],
            "model_file": files,
            "created_at": [created_at] * len(cards),
        }
    ).with_columns(pl.col("train_start", "train_end").str.to_date())
