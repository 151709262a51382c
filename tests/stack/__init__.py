"""The deployable stack: `sam build`'s artifacts, and each built function invoked as `sam local invoke` would."""
