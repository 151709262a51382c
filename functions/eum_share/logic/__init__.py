"""Domain logic: takes and returns models; AWS is reached only through eum_share.dal."""
