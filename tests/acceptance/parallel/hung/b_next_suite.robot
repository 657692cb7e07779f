*** Settings ***
Documentation     Runs after the hung suite was stopped: it gets the bench the hung suite held.

Resource          ../../../../resources/bench.resource

Suite Setup       Acquire Bench    demo-ecu    timeout=10 s
Suite Teardown    Release Bench


*** Test Cases ***
Gets The Bench The Hung Suite Held
    [Documentation]    The ECU answers.
    Read DID    VIN
