"""Building blocks that know nothing of the pipeline: measures, limits, schemas, text, CSV and file names, coverages."""
