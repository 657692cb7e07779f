*** Settings ***
Documentation    Leaves a file in the output folder and links it from the log, as the trace
...              capture and the EOL report do: the link must still open the file after pabot's
...              merge and after the bench hosts' results are combined with rebot.

Library          OperatingSystem


*** Test Cases ***
Artifact Is Linked From The Log
    [Documentation]    A .blf file under traces/ and an HTML link to it, relative to the output folder.
    Create File    ${OUTPUT_DIR}/traces/links/artifact.blf    not a real trace
    Log    trace: <a href="traces/links/artifact.blf">traces/links/artifact.blf</a>    html=True
