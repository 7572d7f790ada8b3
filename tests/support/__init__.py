"""What the tests share (fixtures built from these are in tests/conftest.py):

- ``factories``: tiles (manifest and wire form), manifests, environments, live dashboards;
- ``repo``: repositories on disk (``write_repo``, ``dump_yaml``) and ``RepoKit``, a
  repository with the CLI and API clients around it;
- ``cli``: `dashctl` in the test's process (``run``, ``run_in``, ``validate``) or as a
  process of its own (``run_process``);
- ``server``: a real `dashctl serve` on 127.0.0.1 (``Server``, ``running_server``);
- ``faults``: fault sweeps, many seeds in-process and a few over HTTP;
- ``browser``: headless Chromium (``browser``, ``tab``).
"""
