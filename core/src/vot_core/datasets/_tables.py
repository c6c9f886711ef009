"""Facts about the official datasets that are not on disk: the LaSOT test split, the frame
ranges of OTB-100 and UAV123 sequences and the attribute names of LaSOT and TNL2K (as
published with the benchmarks and used by pytracking, got10k and the MATLAB toolkits). Data
only."""

#: LaSOT Protocol II test split: class, then the sequence numbers (4 per class, 280 in all)
LASOT_TEST = """
airplane 1 9 13 15
basketball 1 6 7 11
bear 2 4 6 17
bicycle 2 7 9 18
bird 2 3 15 17
boat 3 4 12 17
book 3 10 11 19
bottle 1 12 14 18
bus 2 5 17 19
car 2 6 9 17
cat 1 3 18 20
cattle 2 7 12 13
spider 14 16 18 20
coin 3 6 7 18
crab 3 6 12 18
surfboard 12 4 5 8
cup 1 4 7 17
deer 4 8 10 14
dog 1 7 15 19
guitar 3 8 10 16
person 1 5 10 12
pig 2 10 13 18
rubicCube 1 6 14 19
swing 10 14 17 20
drone 13 15 2 7
pool 12 15 3 7
rabbit 10 13 17 19
racing 10 15 16 20
robot 1 19 5 8
sepia 13 16 6 8
sheep 3 5 7 9
skateboard 16 19 3 8
tank 14 16 6 9
tiger 12 18 4 6
train 1 11 20 7
truck 16 3 6 7
turtle 16 5 8 9
umbrella 17 19 2 9
yoyo 15 17 19 7
zebra 10 14 16 17
elephant 1 12 16 18
goldfish 3 7 8 10
hat 1 2 5 18
kite 4 6 10 15
motorcycle 1 3 9 18
mouse 1 8 9 17
flag 3 9 5 2
frog 3 4 20 9
gametarget 1 2 7 13
hand 2 3 9 16
helmet 5 11 19 13
licenseplate 6 12 13 15
electricfan 1 10 18 20
chameleon 3 6 11 20
crocodile 3 4 10 14
gecko 1 5 16 19
fox 2 3 5 20
giraffe 2 10 13 15
gorilla 4 6 9 13
hippo 1 7 9 20
horse 1 4 12 15
kangaroo 2 5 11 14
leopard 1 7 16 20
lion 1 5 12 20
lizard 1 3 6 13
microphone 2 6 14 16
monkey 3 4 9 17
shark 2 3 5 6
squirrel 8 11 13 19
volleyball 1 13 18 19
"""

#: OTB-100: name, image folder, first and last frame, digits, extension, annotation file,
#: frames omitted at the start (Tiger1: 5, its first annotated rows are skipped too)
OTB100 = """
Basketball Basketball/img 1 725 4 jpg groundtruth_rect.txt 0
Biker Biker/img 1 142 4 jpg groundtruth_rect.txt 0
Bird1 Bird1/img 1 408 4 jpg groundtruth_rect.txt 0
Bird2 Bird2/img 1 99 4 jpg groundtruth_rect.txt 0
BlurBody BlurBody/img 1 334 4 jpg groundtruth_rect.txt 0
BlurCar1 BlurCar1/img 247 988 4 jpg groundtruth_rect.txt 0
BlurCar2 BlurCar2/img 1 585 4 jpg groundtruth_rect.txt 0
BlurCar3 BlurCar3/img 3 359 4 jpg groundtruth_rect.txt 0
BlurCar4 BlurCar4/img 18 397 4 jpg groundtruth_rect.txt 0
BlurFace BlurFace/img 1 493 4 jpg groundtruth_rect.txt 0
BlurOwl BlurOwl/img 1 631 4 jpg groundtruth_rect.txt 0
Board Board/img 1 698 5 jpg groundtruth_rect.txt 0
Bolt Bolt/img 1 350 4 jpg groundtruth_rect.txt 0
Bolt2 Bolt2/img 1 293 4 jpg groundtruth_rect.txt 0
Box Box/img 1 1161 4 jpg groundtruth_rect.txt 0
Boy Boy/img 1 602 4 jpg groundtruth_rect.txt 0
Car1 Car1/img 1 1020 4 jpg groundtruth_rect.txt 0
Car2 Car2/img 1 913 4 jpg groundtruth_rect.txt 0
Car24 Car24/img 1 3059 4 jpg groundtruth_rect.txt 0
Car4 Car4/img 1 659 4 jpg groundtruth_rect.txt 0
CarDark CarDark/img 1 393 4 jpg groundtruth_rect.txt 0
CarScale CarScale/img 1 252 4 jpg groundtruth_rect.txt 0
ClifBar ClifBar/img 1 472 4 jpg groundtruth_rect.txt 0
Coke Coke/img 1 291 4 jpg groundtruth_rect.txt 0
Couple Couple/img 1 140 4 jpg groundtruth_rect.txt 0
Coupon Coupon/img 1 327 4 jpg groundtruth_rect.txt 0
Crossing Crossing/img 1 120 4 jpg groundtruth_rect.txt 0
Crowds Crowds/img 1 347 4 jpg groundtruth_rect.txt 0
Dancer Dancer/img 1 225 4 jpg groundtruth_rect.txt 0
Dancer2 Dancer2/img 1 150 4 jpg groundtruth_rect.txt 0
David David/img 300 770 4 jpg groundtruth_rect.txt 0
David2 David2/img 1 537 4 jpg groundtruth_rect.txt 0
David3 David3/img 1 252 4 jpg groundtruth_rect.txt 0
Deer Deer/img 1 71 4 jpg groundtruth_rect.txt 0
Diving Diving/img 1 215 4 jpg groundtruth_rect.txt 0
Dog Dog/img 1 127 4 jpg groundtruth_rect.txt 0
Dog1 Dog1/img 1 1350 4 jpg groundtruth_rect.txt 0
Doll Doll/img 1 3872 4 jpg groundtruth_rect.txt 0
DragonBaby DragonBaby/img 1 113 4 jpg groundtruth_rect.txt 0
Dudek Dudek/img 1 1145 4 jpg groundtruth_rect.txt 0
FaceOcc1 FaceOcc1/img 1 892 4 jpg groundtruth_rect.txt 0
FaceOcc2 FaceOcc2/img 1 812 4 jpg groundtruth_rect.txt 0
Fish Fish/img 1 476 4 jpg groundtruth_rect.txt 0
FleetFace FleetFace/img 1 707 4 jpg groundtruth_rect.txt 0
Football Football/img 1 362 4 jpg groundtruth_rect.txt 0
Football1 Football1/img 1 74 4 jpg groundtruth_rect.txt 0
Freeman1 Freeman1/img 1 326 4 jpg groundtruth_rect.txt 0
Freeman3 Freeman3/img 1 460 4 jpg groundtruth_rect.txt 0
Freeman4 Freeman4/img 1 283 4 jpg groundtruth_rect.txt 0
Girl Girl/img 1 500 4 jpg groundtruth_rect.txt 0
Girl2 Girl2/img 1 1500 4 jpg groundtruth_rect.txt 0
Gym Gym/img 1 767 4 jpg groundtruth_rect.txt 0
Human2 Human2/img 1 1128 4 jpg groundtruth_rect.txt 0
Human3 Human3/img 1 1698 4 jpg groundtruth_rect.txt 0
Human4_2 Human4/img 1 667 4 jpg groundtruth_rect.2.txt 0
Human5 Human5/img 1 713 4 jpg groundtruth_rect.txt 0
Human6 Human6/img 1 792 4 jpg groundtruth_rect.txt 0
Human7 Human7/img 1 250 4 jpg groundtruth_rect.txt 0
Human8 Human8/img 1 128 4 jpg groundtruth_rect.txt 0
Human9 Human9/img 1 305 4 jpg groundtruth_rect.txt 0
Ironman Ironman/img 1 166 4 jpg groundtruth_rect.txt 0
Jogging_1 Jogging/img 1 307 4 jpg groundtruth_rect.1.txt 0
Jogging_2 Jogging/img 1 307 4 jpg groundtruth_rect.2.txt 0
Jump Jump/img 1 122 4 jpg groundtruth_rect.txt 0
Jumping Jumping/img 1 313 4 jpg groundtruth_rect.txt 0
KiteSurf KiteSurf/jpg 1 84 4 png groundtruth_rect.txt 0
Lemming Lemming/img 1 1336 4 jpg groundtruth_rect.txt 0
Liquor Liquor/img 1 1741 4 jpg groundtruth_rect.txt 0
Man Man/img 1 134 4 jpg groundtruth_rect.txt 0
Matrix Matrix/img 1 100 4 jpg groundtruth_rect.txt 0
Mhyang Mhyang/img 1 1490 4 jpg groundtruth_rect.txt 0
MotorRolling MotorRolling/img 1 164 4 jpg groundtruth_rect.txt 0
MountainBike MountainBike/img 1 228 4 jpg groundtruth_rect.txt 0
Panda Panda/img 1 1000 4 jpg groundtruth_rect.txt 0
RedTeam RedTeam/img 1 1918 4 jpg groundtruth_rect.txt 0
Rubik Rubik/img 1 1997 4 jpg groundtruth_rect.txt 0
Shaking Shaking/img 1 365 4 jpg groundtruth_rect.txt 0
Singer1 Singer1/img 1 351 4 jpg groundtruth_rect.txt 0
Singer2 Singer2/img 1 366 4 jpg groundtruth_rect.txt 0
Skater Skater/img 1 160 4 jpg groundtruth_rect.txt 0
Skater2 Skater2/img 1 435 4 jpg groundtruth_rect.txt 0
Skating1 Skating1/img 1 400 4 jpg groundtruth_rect.txt 0
Skating2_1 Skating2/img 1 473 4 jpg groundtruth_rect.1.txt 0
Skating2_2 Skating2/img 1 473 4 jpg groundtruth_rect.2.txt 0
Skiing Skiing/img 1 81 4 jpg groundtruth_rect.txt 0
Soccer Soccer/img 1 392 4 jpg groundtruth_rect.txt 0
Subway Subway/img 1 175 4 jpg groundtruth_rect.txt 0
Surfer Surfer/img 1 376 4 jpg groundtruth_rect.txt 0
Suv Suv/img 1 945 4 jpg groundtruth_rect.txt 0
Sylvester Sylvester/img 1 1345 4 jpg groundtruth_rect.txt 0
Tiger1 Tiger1/img 1 354 4 jpg groundtruth_rect.txt 5
Tiger2 Tiger2/img 1 365 4 jpg groundtruth_rect.txt 0
Toy Toy/img 1 271 4 jpg groundtruth_rect.txt 0
Trans Trans/img 1 124 4 jpg groundtruth_rect.txt 0
Trellis Trellis/img 1 569 4 jpg groundtruth_rect.txt 0
Twinnings Twinnings/img 1 472 4 jpg groundtruth_rect.txt 0
Vase Vase/img 1 271 4 jpg groundtruth_rect.txt 0
Walking Walking/img 1 412 4 jpg groundtruth_rect.txt 0
Walking2 Walking2/img 1 500 4 jpg groundtruth_rect.txt 0
Woman Woman/img 1 597 4 jpg groundtruth_rect.txt 0
"""

#: UAV123: sequence (= annotation file stem), video folder, first and last frame
UAV123 = """
bike1 bike1 1 3085
bike2 bike2 1 553
bike3 bike3 1 433
bird1_1 bird1 1 253
bird1_2 bird1 775 1477
bird1_3 bird1 1573 2437
boat1 boat1 1 901
boat2 boat2 1 799
boat3 boat3 1 901
boat4 boat4 1 553
boat5 boat5 1 505
boat6 boat6 1 805
boat7 boat7 1 535
boat8 boat8 1 685
boat9 boat9 1 1399
building1 building1 1 469
building2 building2 1 577
building3 building3 1 829
building4 building4 1 787
building5 building5 1 481
car1_1 car1 1 751
car1_2 car1 751 1627
car1_3 car1 1627 2629
car10 car10 1 1405
car11 car11 1 337
car12 car12 1 499
car13 car13 1 415
car14 car14 1 1327
car15 car15 1 469
car16_1 car16 1 415
car16_2 car16 415 1993
car17 car17 1 1057
car18 car18 1 1207
car1_s car1_s 1 1475
car2 car2 1 1321
car2_s car2_s 1 320
car3 car3 1 1717
car3_s car3_s 1 1300
car4 car4 1 1345
car4_s car4_s 1 830
car5 car5 1 745
car6_1 car6 1 487
car6_2 car6 487 1807
car6_3 car6 1807 2953
car6_4 car6 2953 3925
car6_5 car6 3925 4861
car7 car7 1 1033
car8_1 car8 1 1357
car8_2 car8 1357 2575
car9 car9 1 1879
group1_1 group1 1 1333
group1_2 group1 1333 2515
group1_3 group1 2515 3925
group1_4 group1 3925 4873
group2_1 group2 1 907
group2_2 group2 907 1771
group2_3 group2 1771 2683
group3_1 group3 1 1567
group3_2 group3 1567 2827
group3_3 group3 2827 4369
group3_4 group3 4369 5527
person1 person1 1 799
person10 person10 1 1021
person11 person11 1 721
person12_1 person12 1 601
person12_2 person12 601 1621
person13 person13 1 883
person14_1 person14 1 847
person14_2 person14 847 1813
person14_3 person14 1813 2923
person15 person15 1 1339
person16 person16 1 1147
person17_1 person17 1 1501
person17_2 person17 1501 2347
person18 person18 1 1393
person19_1 person19 1 1243
person19_2 person19 1243 2791
person19_3 person19 2791 4357
person1_s person1_s 1 1600
person2_1 person2 1 1189
person2_2 person2 1189 2623
person20 person20 1 1783
person21 person21 1 487
person22 person22 1 199
person23 person23 1 397
person2_s person2_s 1 250
person3 person3 1 643
person3_s person3_s 1 505
person4_1 person4 1 1501
person4_2 person4 1501 2743
person5_1 person5 1 877
person5_2 person5 877 2101
person6 person6 1 901
person7_1 person7 1 1249
person7_2 person7 1249 2065
person8_1 person8 1 1075
person8_2 person8 1075 1525
person9 person9 1 661
truck1 truck1 1 463
truck2 truck2 1 385
truck3 truck3 1 535
truck4_1 truck4 1 577
truck4_2 truck4 577 1261
uav1_1 uav1 1 1555
uav1_2 uav1 1555 2377
uav1_3 uav1 2473 3469
uav2 uav2 1 133
uav3 uav3 1 265
uav4 uav4 1 157
uav5 uav5 1 139
uav6 uav6 1 109
uav7 uav7 1 373
uav8 uav8 1 301
wakeboard1 wakeboard1 1 421
wakeboard10 wakeboard10 1 469
wakeboard2 wakeboard2 1 733
wakeboard3 wakeboard3 1 823
wakeboard4 wakeboard4 1 697
wakeboard5 wakeboard5 1 1675
wakeboard6 wakeboard6 1 1165
wakeboard7 wakeboard7 1 199
wakeboard8 wakeboard8 1 1543
wakeboard9 wakeboard9 1 355
"""


#: LaSOT sequences whose ``img/`` folder holds more frames than ``groundtruth.txt`` has lines:
#: the number of (leading) frames that are annotated and evaluated (LaSOT toolkit
#: ``utils/calc_seq_err_robust.m``: "for monkey-17, we only keep the first 2260 frames";
#: pytracking's ``LaSOTDataset`` lists frames 1..len(groundtruth) for every sequence)
LASOT_ANNOTATED_FRAMES = {"monkey-17": 2260}

#: LaSOT per-sequence attributes, in the order of the flags in the evaluation toolkit's
#: ``annos/att/<sequence>.txt`` (HengLan/LaSOT_Evaluation_Toolkit,
#: ``run_tracker_performance_evaluation.m``; the toolkit spells the last one "Aspect Ration
#: Change", pytracking's ``LaSOT_attributes.json`` "Aspect Ratio Change"): abbreviation, name
LASOT_ATTRIBUTES = """
IV   Illumination Variation
POC  Partial Occlusion
DEF  Deformation
MB   Motion Blur
CM   Camera Motion
ROT  Rotation
BC   Background Clutter
VC   Viewpoint Change
SV   Scale Variation
FOC  Full Occlusion
FM   Fast Motion
OV   Out-of-View
LR   Low Resolution
ARC  Aspect Ratio Change
"""

#: TNL2K per-sequence attributes, in the order of the flags in the evaluation toolkit's
#: ``annos/att/<sequence>_attribute.txt`` (wangxiao5791509/TNL2K_evaluation_toolkit,
#: ``Evaluate_TNL2K_dataset.m``): abbreviation, name
TNL2K_ATTRIBUTES = """
CM   Camera Motion
ROT  Rotation
DEF  Deformation
FOC  Full Occlusion
IV   Illumination Variation
OV   Out-of-View
POC  Partial Occlusion
VC   Viewpoint Change
SV   Scale Variation
BC   Background Clutter
MB   Motion Blur
ARC  Aspect Ratio Change
LR   Low Resolution
FM   Fast Motion
AS   Adversarial Samples
TC   Thermal Crossover
MS   Modality Switch
"""


def attribute_names(table: str):
    """``[(abbreviation, name), ...]`` of an attribute table, in file order."""
    return [tuple(line.split(None, 1)) for line in table.strip().splitlines()]


def parse_table(text: str):
    """Rows of a whitespace-separated table, numbers converted to ``int``."""
    return [[int(v) if v.isdigit() else v for v in line.split()]
            for line in text.strip().splitlines()]
