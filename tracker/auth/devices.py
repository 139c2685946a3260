"""An approximate device from a browser's User-Agent header: "Chrome on Windows".

Simple rules, not a full parser: the list on "Your account" only has to let a person tell their
laptop from their phone. Order matters: Edge and Opera also say "Chrome", Chrome also says
"Safari", and Android also says "Linux".
"""

BROWSERS = (
    ("Edg/", "Edge"),
    ("EdgA/", "Edge"),
    ("OPR/", "Opera"),
    ("SamsungBrowser/", "Samsung Internet"),
    ("Firefox/", "Firefox"),
    ("FxiOS/", "Firefox"),
    ("CriOS/", "Chrome"),
    ("Chrome/", "Chrome"),
    ("Chromium/", "Chromium"),
    ("Safari/", "Safari"),
)
SYSTEMS = (
    ("iPhone", "an iPhone"),
    ("iPad", "an iPad"),
    ("Android", "Android"),
    ("Windows", "Windows"),
    ("CrOS", "ChromeOS"),
    ("Mac OS X", "a Mac"),
    ("Macintosh", "a Mac"),
    ("Linux", "Linux"),
)
MAX_LENGTH = 100


def _first(user_agent: str, rules: tuple[tuple[str, str], ...]) -> str | None:
    return next((name for marker, name in rules if marker in user_agent), None)


def device_from_user_agent(user_agent: str | None) -> str:
    user_agent = user_agent or ""
    browser = _first(user_agent, BROWSERS)
    system = _first(user_agent, SYSTEMS)
    if browser and system:
        return f"{browser} on {system}"[:MAX_LENGTH]
    if browser or system:
        return (f"{browser}" if browser else f"A browser on {system}")[:MAX_LENGTH]
    return "Unknown device"
