<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="de" sourcelanguage="en">
<context>
    <name>CompanyEditor</name>
    <message>
        <source>View company</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>PersonEditor</name>
    <message>
        <source>View person</source>
        <extracomment>The person chose to open an existing person instead of saving a duplicate.</extracomment>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>TimelinePanel</name>
    <message>
        <source>Nothing on the timeline yet.</source>
        <extracomment>Why this user may not add to this record&apos;s timeline (None when they may).</extracomment>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>_RecordEditor</name>
    <message>
        <source>Close</source>
        <extracomment>Asked before unsaved changes are thrown away; True means &quot;discard them&quot;. The permission area of the record (&quot;contacts&quot; or &quot;companies&quot;). Why this user may not save here (None when they may): the form is read-only.</extracomment>
        <translation type="unfinished"></translation>
    </message>
</context>
</TS>
