"""The eum-share command line: operators' view of migrations, and the offline demo."""
