"""The offline AWS: moto plus the project's own fakes of End User Messaging SMS and RAM, one clock."""
