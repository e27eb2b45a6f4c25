"""Commands that build and read a workspace: ingest, embed, export, import-tf-projector."""
