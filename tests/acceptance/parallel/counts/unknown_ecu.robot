*** Settings ***
Documentation     Asks for an ECU type no bench carries: the setup fails at once with a clear
...               reason and both tests fail with it.

Resource          ../../../../resources/bench.resource

Suite Setup       Acquire Bench    no-such-ecu
Suite Teardown    Release Bench


*** Test Cases ***
Needs The Missing ECU
    [Documentation]    Never runs: the suite setup fails.
    Read DID    VIN

Needs The Missing ECU Too
    [Documentation]    Never runs: the suite setup fails.
    Read DID    VIN
