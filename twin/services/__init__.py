"""The project's own fakes of services moto lacks or covers too thinly."""
