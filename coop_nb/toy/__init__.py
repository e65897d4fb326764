"""The toy world: its images and captions, the toy CLIPs, and its datasets."""
