"""One import path for every model: the definitions live by contract.

* ``analyzer.contracts.snapshot``: the snapshot file (what ``collect`` writes);
* ``analyzer.contracts.prices``: the price book;
* ``analyzer.contracts.report``: report.json (``AnalysisResult`` and what it holds);
* ``analyzer.records``: the analysis's internal records (topology, design, usage), never in report.json.

New code may import from those modules directly; this one re-exports them so
``from analyzer.models import Snapshot`` keeps working.
"""

from __future__ import annotations

from analyzer.contracts.base import (  # noqa: F401
    Frozen,
    Located,
    Num,
    Usd,
)
from analyzer.contracts.changes import Changes  # noqa: F401
from analyzer.contracts.figures import AccountSavings, BreakEven, Figures  # noqa: F401
from analyzer.contracts.prices import (  # noqa: F401
    COST_PRICE_KEYS,
    GUARD_PRICE_KEYS,
    PRICE_BOOK_SCHEMA_VERSION,
    PRICE_KEYS,
    Price,
    PriceBook,
    PriceBookInfo,
    PriceKey,
)
from analyzer.contracts.report import (  # noqa: F401
    READABLE_REPORT_SCHEMAS,
    REPORT_SCHEMA_VERSION,
    SEVERITIES,
    SEVERITY_RANK,
    Alternative,
    AnalysisResult,
    Attribution,
    BilledNat,
    BillingAdjustment,
    BillingPeriod,
    BillingReport,
    CostComponent,
    Egress,
    EniGroup,
    Finding,
    FunctionEgress,
    MigrationPlan,
    NatReport,
    PlanStep,
    PlanTarget,
    Scenario,
    Settings,
    Severity,
    SubnetPath,
    Summary,
    TargetType,
    UnpricedNat,
    finding_id,
)
from analyzer.contracts.snapshot import (  # noqa: F401
    SNAPSHOT_SCHEMA_VERSION,
    Account,
    BilledLine,
    BillingData,
    Coverage,
    CoverageError,
    EipQuota,
    ElasticIp,
    FlowLogBytes,
    FlowLogNat,
    FlowLogStats,
    InternetGateway,
    LambdaFunction,
    MetricSeries,
    NatAddress,
    NatGateway,
    NetworkInterface,
    PrefixList,
    Route,
    RouteTable,
    Snapshot,
    Subnet,
    Vpc,
    VpcEndpoint,
)
from analyzer.records import (  # noqa: F401
    AddressOrigin,
    FunctionUsage,
    NatUsage,
    NatView,
    Suppression,
    TargetAddress,
    TargetEni,
    Topology,
    Usage,
    region_key,
    vpc_key,
)
