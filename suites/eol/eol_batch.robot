*** Settings ***
Documentation     A batch of ECUs through the EOL sequence, one test per ECU, as a line tests them one after
...               the other: three units of the demo ECU's part number on the bench of the demo station
...               (under pabot, a bench of the value-set file that carries the demo ECU). Each leaves its
...               report in the MES folder and its row in the quality database, so `uds station --summary`
...               has figures to show after `make run`.

Resource          ../../resources/eol.resource

Suite Setup       Acquire EOL Bench    demo-ecu
Suite Teardown    Release Bench
Test Teardown     Finish EOL Test
Test Template     EOL Test Of Unit

Test Tags         eol


*** Variables ***
${BENCH}           ${NONE}
${STATION_FILE}    ${CURDIR}/../../resources/stations/demo_station.yaml


*** Test Cases ***    BARCODE
Unit SN00000101    03L906018A;SN00000101;WVWZZZ1JZXW000001
Unit SN00000102    03L906018A;SN00000102;WVWZZZ1JZXW000001
Unit SN00000103    03L906018A;SN00000103;WVWZZZ1JZXW000001


*** Keywords ***
EOL Test Of Unit
    [Documentation]    The whole EOL sequence for the unit with ``barcode``.
    [Arguments]    ${barcode}
    Start EOL Test    ${barcode}    ${STATION_FILE}    bench=${BENCH}
    Run EOL Sequence
