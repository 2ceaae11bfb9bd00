"""Case reports: the document an investigator hands to a prosecutor or a partner agency (HTML and PDF, Korean
and English), assembled from a trace, the incident, its freeze board and the annotations the reader may see."""
