// Placeholder: the checkpoint store lands here.
