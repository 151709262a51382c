"""eum-share: moves End User Messaging SMS origination identities into other AWS accounts through AWS RAM."""
