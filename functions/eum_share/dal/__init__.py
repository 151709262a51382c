"""Data access: the only layer that touches boto3."""
