"""Live dashboards back into git: round-trip YAML that keeps comments (`document`),
and which file each live dashboard goes to (`targets`). The command is
`reconciler.commands.pull`."""
