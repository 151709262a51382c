"""The one Logger, Tracer and Metrics of the functions (service name and namespace come from Globals)."""

from aws_lambda_powertools import Logger, Metrics, Tracer

logger = Logger()
tracer = Tracer()
metrics = Metrics()
