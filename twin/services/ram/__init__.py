"""The project's own AWS RAM: shares End User Messaging SMS resources, asynchronously and fallibly."""

from twin.services.ram.fake import RamFake

__all__ = ["RamFake"]
