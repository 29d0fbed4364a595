"""What every contract model shares: frozen records, money as Decimal inside and a JSON number outside."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, ConfigDict, PlainSerializer

# Decimal inside, JSON number outside.
Usd = Annotated[Decimal, PlainSerializer(float, return_type=float, when_used="json")]
Num = Usd  # a non-money Decimal quantity (GB, hours, shares) that is a number in JSON


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Located(Frozen):
    """A resource that lives in one account and one region."""

    account_id: str
    region: str
