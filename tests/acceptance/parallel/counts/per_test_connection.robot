*** Settings ***
Documentation     A suite that opens its own connection to ${BENCH} for every test, as the EOL suite
...               does: the bench is reserved for the whole suite, the check's connection closed.

Resource          ../../../../resources/bench.resource

Suite Setup       Acquire Bench    demo-ecu    keep_connection=${False}
Suite Teardown    Release Bench
Test Setup        Open UDS Connection    ${BENCH}
Test Teardown     Close All UDS Connections


*** Test Cases ***
First Unit
    [Documentation]    A fresh connection (and simulated ECU) per test.
    Session Should Be    default
    Change Session    extended

Second Unit
    [Documentation]    Starts in the default session again: the previous test's ECU is gone.
    Session Should Be    default
