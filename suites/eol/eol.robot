*** Settings ***
Documentation     End-of-line test of one ECU: the barcode in ${BARCODE} (part number;serial;VIN), the
...               station in ${STATION_FILE}. The report for the MES goes to the station's MES folder
...               (results/mes by default) and the result into its quality database
...               (results/quality.sqlite); the CAN trace of the sequence is linked from the log and
...               the report.
...
...               `uds station --config <station file>` runs this suite once per scanned barcode.
...               Defaults: the demo station and the demo ECU's barcode, on the station's bench (the
...               simulated sim-1); under pabot on a bench of the value-set file that carries the demo ECU.

Resource          ../../resources/eol.resource

Suite Setup       Acquire EOL Bench    demo-ecu
Suite Teardown    Release Bench
Test Setup        Start EOL Test    ${BARCODE}    ${STATION_FILE}    run_id=${EOL_RUN_ID}    bench=${BENCH}
Test Teardown     Finish EOL Test

Test Tags         eol


*** Variables ***
${BENCH}           ${NONE}
${BARCODE}         03L906018A;SN00000042;WVWZZZ1JZXW000001
${STATION_FILE}    ${CURDIR}/../../resources/stations/demo_station.yaml
${EOL_RUN_ID}      ${NONE}


*** Test Cases ***
End Of Line Test
    [Documentation]    Session, security access, VIN against the barcode, variant coding, EOL calibration,
    ...    DTC clear and check, identification for the report.
    Run EOL Sequence
