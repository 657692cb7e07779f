*** Settings ***
Documentation     Hangs while holding the only bench, until pabot's --processtimeout stops it: the
...               bench must come free for the next suite.

Resource          ../../../../resources/bench.resource

Suite Setup       Acquire Bench    demo-ecu
Suite Teardown    Release Bench


*** Test Cases ***
Hangs
    [Documentation]    Much longer than the --processtimeout the test gives pabot.
    Sleep    120 s
