"""Service Quotas' ListServiceQuotas, for End User Messaging SMS (moto serves Service Quotas for VPC only).

botocore: ListServiceQuotas "Lists the applied quota values for the specified Amazon Web Services service. For
some quotas, only the default values are available. If the applied quota value is not available for a quota, the
quota is not retrieved." The only End User Messaging SMS quota with a figure in the sources read is the pool
size (AWS's resource sharing guide: "The default Phone Pool quota is 100 resources per pool"); its quota code is
not published there, so the answer leaves QuotaCode out (every member of ServiceQuota is optional). A service
code the offline AWS does not know is `NoSuchResourceException`, as for a service that does not exist.
"""

from __future__ import annotations

from typing import Any

from twin.errors import TwinError
from twin.services.base import CallContext, ServiceFake

SMS_VOICE_QUOTAS = (
    {
        "ServiceCode": "sms-voice",
        "ServiceName": "AWS End User Messaging SMS and Voice, version 2",
        "QuotaName": "Resources per phone pool",
        "Value": 100.0,
        "Unit": "None",
        "Adjustable": True,
        "GlobalQuota": False,
        "QuotaAppliedAtLevel": "ACCOUNT",
    },
)
QUOTAS = {"sms-voice": SMS_VOICE_QUOTAS}


class ServiceQuotasFake(ServiceFake[None]):
    service_name = "service-quotas"
    endpoint_prefix = "servicequotas"

    def new_state(self, account: str, region: str) -> None:
        return None

    def validation_error(self, problems: list[tuple[str, str]]) -> TwinError:
        return TwinError("IllegalArgumentException", "; ".join(f"{path}: {why}" for path, why in problems))

    def list_service_quotas(self, ctx: CallContext, **params: Any) -> dict[str, Any]:
        quotas = QUOTAS.get(params["ServiceCode"])
        if quotas is None:
            raise TwinError("NoSuchResourceException", f"The service {params['ServiceCode']} does not exist.")
        return {"Quotas": [dict(quota) for quota in quotas]}
