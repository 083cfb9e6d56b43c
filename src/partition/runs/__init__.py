"""Running and publishing: the workflows behind every entry point, scenarios, atomic output, parallel work, batches."""
