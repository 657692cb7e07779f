*** Settings ***
Documentation    Run by tests/acceptance/test_parallel_benches.py with a PabotLib whose only bench
...              another caller holds (``--variable CALLER_ID:... --variable PABOTLIBURI:...``):
...              `Acquire Bench` gives up after its timeout with a clear reason instead of waiting
...              for ever.

Resource         ../../../../resources/bench.resource


*** Test Cases ***
Acquire Bench Gives Up After Its Timeout
    [Documentation]    The only bench stays reserved by someone else.
    Run Keyword And Expect Error
    ...    no bench tagged demo-ecu became free within 1 second: other suites held every one*
    ...    Acquire Bench    demo-ecu    timeout=1 s
    Variable Should Not Exist    ${BENCH}

Release Bench Without A Bench Does Nothing
    [Documentation]    A suite whose setup failed still runs its teardown.
    Release Bench
