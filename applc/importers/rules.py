"""Import findings (APL5xx): what `applc import` reports about a compose or Marathon file.

The importers (applc/importers/<format>/) report them with positions in the file they read; they
are documented and configured like every other rule. Their examples are compose files,
and the import tests check that each failing example reports its rule and each passing
one does not.
"""

from __future__ import annotations

from applc.diagnostics import Severity
from applc.rules.registry import rule

E, W, INFO = Severity.ERROR, Severity.WARNING, Severity.INFO

_WEB = """services:
  web:
    image: nginx:1.25
    deploy:
      resources:
        limits: {cpus: "0.5", memory: 256M}
"""

rule(
    "APL501",
    "import-unreadable",
    E,
    "the file to import cannot be read",
    """
    The file does not exist, is not UTF-8 text, is not YAML (compose) or JSON (Marathon),
    or its top level is not what the format needs: a mapping with `services` for compose;
    an app, a group, a list of apps or a Chronos job for Marathon. Nothing is imported
    from it.
    """,
    fails="services: [web\n",
    passes=_WEB,
    always_on=True,
    example_importer="compose",
)

rule(
    "APL502",
    "import-invalid-value",
    E,
    "a value the source format itself rejects",
    """
    A value that `docker compose config` (or Marathon) would refuse: a port that is not
    a number, a memory size or duration that does not parse, a service that is not a
    mapping, an `extends` that loops. The part it belongs to is left out of the
    appliance; fix the source file and import again.
    """,
    fails=_WEB + '    ports: ["80:http"]\n',
    passes=_WEB + '    ports: ["8080:80"]\n',
    example_importer="compose",
)

rule(
    "APL503",
    "import-unset-variable",
    W,
    "an interpolated variable is not set",
    """
    `${VAR}` names a variable that is neither in the environment nor in the `.env` file
    beside the compose file, and has no default. Compose, and so the import, use an
    empty string; set the variable, or write a default with `${VAR:-default}`.
    """,
    fails=_WEB + "    environment:\n      LEVEL: ${APPLC_EXAMPLE_UNSET_VARIABLE}\n",
    passes=_WEB + "    environment:\n      LEVEL: ${APPLC_EXAMPLE_UNSET_VARIABLE:-info}\n",
    example_importer="compose",
)

rule(
    "APL504",
    "import-required-variable",
    E,
    "a required variable (`${VAR?message}`) is not set",
    """
    `${VAR?message}` or `${VAR:?message}` makes compose stop when `VAR` is not set (or,
    with `:?`, empty). The import reports the message and goes on with an empty value;
    set the variable and import again.
    """,
    fails=_WEB + "    environment:\n      TOKEN: ${APPLC_EXAMPLE_UNSET_TOKEN?set a token}\n",
    passes=_WEB + "    environment:\n      TOKEN: ${APPLC_EXAMPLE_UNSET_TOKEN:-none}\n",
    example_importer="compose",
)

rule(
    "APL505",
    "import-renamed-container",
    INFO,
    "a service name became a different container id",
    """
    Container ids are DNS labels: lower case letters, digits and `-`. A compose service
    name with upper case letters, `_` or `.` becomes such a label (`My_DB` -> `my-db`);
    dependencies and `@` references follow the new name. An appliance id made from the
    project name is shortened (whole `-` parts first) when `<container>-<appliance>`,
    PIVOT's DNS name of a container, would be longer than 63 characters.
    """,
    fails=_WEB.replace("  web:", "  web_front:"),
    passes=_WEB,
    example_importer="compose",
)

rule(
    "APL506",
    "import-host-reference",
    INFO,
    "a host name of another service became an `@` reference",
    """
    In compose, services reach each other by service name; PIVOT gives each container a
    DNS name of its own and rewrites `@id` into it. Every whole host token that names
    another service (`db`, `db:5432`, `http://db:5432/x`, `postgres://u:p@db/x`) in an
    environment value, a `command` or an `entrypoint` becomes `@db`; this finding lists
    each one, so you can check that the word really was a host name. A bare name (no
    port, scheme or user) is rewritten only in an environment variable whose name says it
    holds an address (`*HOST*`, `*URL*`, `*ADDR*`, `*SERVER*`, ...) or after a
    command-line option, so `CACHE_DRIVER=redis` stays as it is.
    """,
    fails=_WEB + "    environment:\n      DB_HOST: db:5432\n  db:\n    image: postgres:16\n",
    passes=_WEB + "    environment:\n      DB_DRIVER: db\n  db:\n    image: postgres:16\n",
    example_importer="compose",
)

rule(
    "APL507",
    "import-unsupported-feature",
    W,
    "a feature of the source file that the appliance cannot carry",
    """
    PIVOT appliances have no place for this feature (build details, configs, secrets,
    networks other than the default, labels, logging, ulimits, capabilities, a working
    directory, a user, ...), so the import leaves it out and says what to do instead.
    Each feature is reported once per service.
    """,
    fails=_WEB + "    working_dir: /srv\n",
    passes=_WEB,
    example_importer="compose",
)

rule(
    "APL508",
    "import-build-only",
    W,
    "a service that is only built locally, with no image to pull",
    """
    The service has `build:` and no `image:`. Compose names the image it builds
    `<project>-<service>`, and so does the import; push an image with that name (or
    change it) to a registry the cluster can pull from.
    """,
    fails=_WEB.replace("image: nginx:1.25", "build: ."),
    passes=_WEB,
    example_importer="compose",
)

rule(
    "APL509",
    "import-default-resources",
    INFO,
    "a service with no resource limits got default ones",
    """
    PIVOT needs `cpus` and `mem` for every container; compose lets a container use what
    the machine has. Without `deploy.resources` (or the old `cpus`/`mem_limit`) the
    import gives 1 cpu and 512 MiB; set what the service needs.
    """,
    fails="services:\n  web:\n    image: nginx:1.25\n",
    passes=_WEB,
    example_importer="compose",
)

rule(
    "APL510",
    "import-job",
    INFO,
    "a run-once service became a job",
    """
    A service that runs to completion (another service waits for it with
    `condition: service_completed_successfully`, or it has `restart: "no"` or
    `on-failure` and publishes no ports) becomes a PIVOT job, which Chronos runs once.
    """,
    fails=_WEB
    + "    depends_on:\n      migrate: {condition: service_completed_successfully}\n"
    + "  migrate:\n    image: alpine:3.20\n",
    passes=_WEB,
    example_importer="compose",
)

rule(
    "APL511",
    "import-host-path",
    W,
    "a bind mount of a folder on this machine",
    """
    A bind mount becomes a HOST volume, which mounts the same path on whichever machine
    runs the container. A relative path is made absolute against the compose file's
    folder, as compose does, so it names a folder on the machine that imported it: make
    sure it exists on every agent, or use a named volume.
    """,
    fails=_WEB + "    volumes: ['./html:/usr/share/nginx/html']\n",
    passes=_WEB + "    volumes: ['html:/usr/share/nginx/html']\nvolumes:\n  html: {}\n",
    example_importer="compose",
)

rule(
    "APL512",
    "import-unknown-service",
    W,
    "a dependency on a service that is not imported",
    """
    `depends_on` (or `links`) names a service that the file does not define, or that is
    left out because its profile is not active (`--profile`). The dependency is dropped.
    """,
    fails=_WEB + "    depends_on: [cache]\n",
    passes=_WEB + "    depends_on: [cache]\n  cache:\n    image: redis:7\n",
    example_importer="compose",
)

rule(
    "APL513",
    "import-lint-error",
    E,
    "the imported appliance does not lint clean",
    """
    The appliance the import wrote has a lint error (the message quotes it), for
    example resources that PIVOT cannot give. The import still writes it, so nothing is
    lost; fix the source file, or the appliance, and lint it.
    """,
    fails="services:\n  train:\n    image: trainer:1\n    restart: 'no'\n"
    + "    deploy:\n      resources:\n        limits: {cpus: '1', memory: 1G}\n"
    + "        reservations:\n          devices: [{capabilities: [gpu], count: 1}]\n",
    passes=_WEB,
    example_importer="compose",
)

rule(
    "APL514",
    "import-refused-file",
    E,
    "a file the compose file names was not read",
    """
    A compose file is input that may come from anyone (a pull request, say), so the
    files it makes the import read, the `.env` beside it, `env_file` entries and
    `extends` files, are read only when they are regular files inside the project
    folder, the folder of the first compose file, once every symbolic link is resolved.
    A path that leaves it (an absolute path elsewhere, `..`, a symbolic link that points
    out of it), a file inside a `.git` folder (where CI checkouts keep credentials), a
    fifo, a device, a socket or a folder, and a file larger than the cap (1 MiB for a
    dotenv file, 16 MiB for a compose file) are not read; the finding points at the value
    that names the file. Files named on the command line are always read. To let the
    import read files of another folder, pass `--allow-outside FOLDER`.

    The text of a file the import reads without its being named on the command line
    (`.env`, an `env_file`, an `extends` file) is never shown: a finding in one gives the
    file, line and column, and says what is wrong without quoting the line.
    """,
    fails=_WEB + "    env_file: ../shared/secrets.env\n",
    passes=_WEB + "    env_file: {path: web.env, required: false}\n",
    always_on=True,
    example_importer="compose",
)
