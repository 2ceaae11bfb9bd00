"""Attribution: label claims (who says an address is what), their importers and confidence scale.

Pure parsing and validation of label files; storing claims is the store package's job.
May import chains; nothing from ingest, store or api.
"""
