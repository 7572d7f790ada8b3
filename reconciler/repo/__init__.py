"""Reading the GitOps repository: environments, manifests, overlays, vars and problems."""
