*** Settings ***
Documentation     The same suite and test names on two lines: the xUnit class names must still differ.

Resource          ../../../../../resources/bench.resource

Suite Setup       Acquire Bench    demo-ecu
Suite Teardown    Release Bench


*** Test Cases ***
VIN Answers Quickly
    [Documentation]    A VIN read well within P2.
    Read DID    VIN
    Last Response Time Should Be Below    50 ms

Session Change Answers Quickly
    [Documentation]    The extended session, then back; holds the bench for a while.
    Change Session    extended
    Sleep    1 s
    Change Session    default
