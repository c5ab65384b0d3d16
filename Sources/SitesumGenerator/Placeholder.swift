// Placeholder: the log generator lands here.
