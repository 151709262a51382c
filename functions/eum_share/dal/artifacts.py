"""Large migration data in S3 (request, inventory, plan, reports); states pass keys, never the data."""

from __future__ import annotations

from typing import TypeVar

from pydantic import BaseModel

from eum_share.dal.clients import client

Model = TypeVar("Model", bound=BaseModel)


def key(migration_id: str, name: str) -> str:
    return f"migrations/{migration_id}/{name}"


def put_model(bucket: str, object_key: str, model: BaseModel) -> None:
    body = model.model_dump_json(by_alias=True, exclude_none=True)
    put_text(bucket, object_key, body, "application/json")


# Frozen models read before, by bucket and key, with the ETag they were read at: the request and plan of a
# large migration are read by every call of the batch loop, and parsing them costs more than asking S3
# whether they changed. Kept for the life of the execution environment.
_read: dict[tuple[str, str], tuple[str, BaseModel]] = {}


def get_model(bucket: str, object_key: str, model: type[Model]) -> Model:
    if not model.model_config.get("frozen"):
        return model.model_validate_json(get_text(bucket, object_key))
    etag = str(client("s3").head_object(Bucket=bucket, Key=object_key)["ETag"])
    cached = _read.get((bucket, object_key))
    if cached is not None and cached[0] == etag and isinstance(cached[1], model):
        return cached[1]
    response = client("s3").get_object(Bucket=bucket, Key=object_key)
    found = model.model_validate_json(response["Body"].read().decode())
    _read[(bucket, object_key)] = (str(response["ETag"]), found)
    return found


def put_text(bucket: str, object_key: str, body: str, content_type: str) -> None:
    client("s3").put_object(Bucket=bucket, Key=object_key, Body=body.encode(), ContentType=content_type)


def get_text(bucket: str, object_key: str) -> str:
    return str(client("s3").get_object(Bucket=bucket, Key=object_key)["Body"].read().decode())


def exists(bucket: str, object_key: str) -> bool:
    from botocore.exceptions import ClientError

    try:
        client("s3").head_object(Bucket=bucket, Key=object_key)
    except ClientError as error:
        if error.response["Error"]["Code"] in ("404", "NoSuchKey", "NotFound"):
            return False
        raise
    return True
