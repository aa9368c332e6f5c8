pytest_plugins = [
    "tests.fixtures.audio",
    "tests.fixtures.database",
    "tests.fixtures.server",
    "tests.fixtures.s3",
    "tests.fixtures.redis",
    "tests.fixtures.schedule",
]
