"""What pyproject.toml cannot say on its own: `resources/` (at the top of the checkout,
where the code and the tests read it) is shipped inside the package as
`crasme_desktop/resources`, where `crasme_desktop.RESOURCES` finds it once installed
from a wheel (pipx) or frozen by PyInstaller. Everything else is in pyproject.toml."""

from setuptools import find_packages, setup

setup(
    packages=[
        *find_packages(include=["crasme_desktop", "crasme_desktop.*"]),
        "crasme_desktop.resources",
    ],
    package_dir={"crasme_desktop.resources": "resources"},
    # Its own build folder, apart from the installers' (build/linux, ...).
    options={"build": {"build_base": "build/wheel"}},
)
