"""Service Quotas' ListServiceQuotas for End User Messaging SMS, from botocore's documentation ("Lists the applied
quota values for the specified Amazon Web Services service") and AWS's resource sharing guide ("The default Phone
Pool quota is 100 resources per pool"); a service it does not know is NoSuchResourceException."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from twin.offline import OfflineAWS


def test_the_pool_size_quota_of_end_user_messaging_is_listed(aws: OfflineAWS) -> None:
    # When an account lists the quotas applied for sms-voice
    quotas = aws.client("service-quotas", account="444455556666").list_service_quotas(ServiceCode="sms-voice")
    # Then the pool size quota is there with the guide's default
    assert [(q["QuotaName"], q["Value"]) for q in quotas["Quotas"]] == [("Resources per phone pool", 100.0)]


def test_an_unknown_service_code_is_no_such_resource(aws: OfflineAWS) -> None:
    # When the quotas of a service that does not exist are listed
    with pytest.raises(ClientError) as error:
        aws.client("service-quotas").list_service_quotas(ServiceCode="no-such-service")
    # Then Service Quotas says there is no such resource
    assert error.value.response["Error"]["Code"] == "NoSuchResourceException"
