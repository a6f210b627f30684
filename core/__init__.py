"""What every app shares and nothing else: how a service refuses and how a page shows it, and
pagination. The bottom of the layers: core imports Django only, never an app of ours."""
